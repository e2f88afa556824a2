//! Loading an ONNX model into an optimised tract plan with a fixed input shape, and
//! running it on a flat f32 buffer.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use tract_onnx::prelude::*;

use super::models::{read_verified, ModelError, ModelFile};

/// An optimised, runnable model. `run` takes `&self`, so one plan serves many threads.
pub struct Net {
    plan: TypedRunnableModel<TypedModel>,
    input_shape: Vec<usize>,
}

/// A verified, parsed model whose input shape is not fixed yet: plans for several input
/// shapes are built from it without reading or hashing the file again.
pub struct Graph {
    model: InferenceModel,
    path: PathBuf,
}

impl Graph {
    /// Verifies `file` in `dir` against its pinned hash and parses it.
    ///
    /// With `any_shape`, the shapes the file records for intermediate tensors are
    /// dropped, so that [`Graph::plan`] infers them again from an input shape other than
    /// the one the model was exported with (YuNet's heads are convolutional: any input
    /// whose sides are multiples of 32 works).
    ///
    /// # Errors
    /// [`ModelError`] when the file is missing, does not match its hash, or is not a
    /// model tract can read.
    pub fn read(dir: &Path, file: ModelFile, any_shape: bool) -> Result<Graph, ModelError> {
        let bytes = read_verified(dir, file)?;
        let path = dir.join(file.name);
        let model = tract_onnx::onnx()
            .model_for_read(&mut Cursor::new(bytes))
            .and_then(|m| if any_shape { forget_facts(m) } else { Ok(m) })
            .map_err(|e| invalid(&path, e))?;
        Ok(Graph { model, path })
    }

    /// An optimised plan for one input shape (e.g. `[1, 3, height, width]`).
    ///
    /// # Errors
    /// [`ModelError::Invalid`] when the model cannot run on that shape.
    pub fn plan(&self, input_shape: &[usize]) -> Result<Net, ModelError> {
        let plan = self
            .model
            .clone()
            .with_input_fact(0, f32::fact(input_shape).into())
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(|e| invalid(&self.path, e))?;
        Ok(Net {
            plan,
            input_shape: input_shape.to_vec(),
        })
    }
}

fn invalid(path: &Path, e: TractError) -> ModelError {
    ModelError::Invalid {
        path: path.to_path_buf(),
        reason: format!("{e:#}"),
    }
}

impl Net {
    /// Verifies `file` in `dir` against its pinned hash, then loads it for `input_shape`
    /// (the shape it was exported with).
    pub fn load(dir: &Path, file: ModelFile, input_shape: &[usize]) -> Result<Net, ModelError> {
        Graph::read(dir, file, false)?.plan(input_shape)
    }

    pub fn input_shape(&self) -> &[usize] {
        &self.input_shape
    }

    /// Runs the model on `input` (laid out as the input shape) and returns every output,
    /// flattened, in the model's output order.
    pub fn run(&self, input: Vec<f32>) -> Result<Vec<Vec<f32>>, String> {
        let tensor = Tensor::from_shape(&self.input_shape, &input).map_err(|e| e.to_string())?;
        let outputs = self
            .plan
            .run(tvec!(tensor.into()))
            .map_err(|e| format!("inference failed: {e:#}"))?;
        outputs
            .iter()
            .map(|t| {
                t.as_slice::<f32>()
                    .map(<[f32]>::to_vec)
                    .map_err(|e| format!("unexpected model output: {e}"))
            })
            .collect()
    }
}

/// Clears every recorded tensor fact except the model outputs' element types.
fn forget_facts(mut model: InferenceModel) -> TractResult<InferenceModel> {
    for id in 0..model.nodes().len() {
        for slot in 0..model.node(id).outputs.len() {
            model.set_outlet_fact(OutletId::new(id, slot), InferenceFact::default())?;
        }
    }
    Ok(model)
}
